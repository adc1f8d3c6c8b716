export interface KeyValue {
  key: string;
  value: string;
}

/** Params or tags: a two-column table, sorted by key. */
export function KeyValueTable({ caption, rows, empty }: { caption: string; rows: readonly KeyValue[]; empty: string }) {
  if (rows.length === 0) return <p class="muted">{empty}</p>;
  const sorted = [...rows].sort((a, b) => a.key.localeCompare(b.key));
  return (
    <table class="kv">
      <caption class="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Key</th>
          <th scope="col">Value</th>
        </tr>
      </thead>
      <tbody>
        {sorted.map((row) => (
          <tr key={row.key}>
            <th scope="row">{row.key}</th>
            <td class="value">{row.value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
