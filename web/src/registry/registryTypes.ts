export interface ModelVersionRow {
  version: number;
  currentStage: string;
  aliases: string[];
  source: string;
  runId: string | null;
  run: { id: string; name: string; experimentId: string } | null;
  status: string;
  creationTimestamp: number;
  userId: string;
  description: string;
}

export interface AuditEntryRow {
  cursor: string;
  kind: string;
  summary: string;
  actor: string;
  recordedAt: string;
  comment: string | null;
  version: number | null;
  requestId: number | null;
  requestedBy: string | null;
  changes: { field: string; before: string | null; after: string | null; version: number | null }[];
}
