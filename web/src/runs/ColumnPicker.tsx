import { columnId, type Column } from './runColumns.ts';

interface Props {
  available: { metric: string[]; param: string[]; tag: string[] };
  chosen: Column[];
  onChange(columns: Column[]): void;
}

const groups = [
  { kind: 'metric', label: 'Metrics' },
  { kind: 'param', label: 'Params' },
  { kind: 'tag', label: 'Tags' },
] as const;

/** Which metric, param and tag columns the runs table shows. */
export function ColumnPicker({ available, chosen, onChange }: Props) {
  const chosenIds = new Set(chosen.map(columnId));
  const toggle = (column: Column) => {
    const id = columnId(column);
    onChange(chosenIds.has(id) ? chosen.filter((c) => columnId(c) !== id) : [...chosen, column]);
  };
  return (
    <details class="column-picker">
      <summary>Columns ({chosen.length})</summary>
      <div class="picker-groups">
        {groups.map((group) => (
          <fieldset key={group.kind}>
            <legend>{group.label}</legend>
            {available[group.kind].length === 0 && <p class="muted">None logged</p>}
            {available[group.kind].map((key) => {
              const column: Column = { kind: group.kind, key };
              const id = `col-${columnId(column)}`;
              return (
                <div key={key} class="check">
                  <input type="checkbox" id={id} checked={chosenIds.has(columnId(column))} onChange={() => toggle(column)} />
                  <label for={id}>{key}</label>
                </div>
              );
            })}
          </fieldset>
        ))}
      </div>
    </details>
  );
}
