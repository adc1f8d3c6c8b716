/** A model version's stage as a badge. */
export function StageBadge({ stage }: { stage: string }) {
  return (
    <span class={`badge stage-${stage.toLowerCase()}`} title={`Stage: ${stage}`}>
      {stage}
    </span>
  );
}

/** An alias (e.g. champion) as a badge. */
export function AliasBadge({ alias }: { alias: string }) {
  return (
    <span class="badge alias" title={`Alias: @${alias}`}>
      @{alias}
    </span>
  );
}
