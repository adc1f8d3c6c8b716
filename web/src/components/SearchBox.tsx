import { useState } from 'preact/hooks';

interface Props {
  label: string;
  placeholder?: string;
  value: string;
  /** Called as the text changes (live search) or on submit only. */
  onSearch(value: string): void;
  live?: boolean;
  error?: string;
  id: string;
}

/** A labelled search field: live, or applied on Enter / the Search button (for a filter grammar). */
export function SearchBox({ label, placeholder, value, onSearch, live, error, id }: Props) {
  const [text, setText] = useState(value);
  const submit = (event: Event) => {
    event.preventDefault();
    onSearch(text.trim());
  };
  return (
    <form class="search" role="search" onSubmit={submit}>
      <label for={id}>{label}</label>
      <input
        id={id}
        type="search"
        value={text}
        placeholder={placeholder}
        spellcheck={false}
        autocomplete="off"
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onInput={(event) => {
          const next = (event.target as HTMLInputElement).value;
          setText(next);
          if (live) onSearch(next.trim());
        }}
      />
      {!live && <button type="submit">Search</button>}
      {error && (
        <p id={`${id}-error`} class="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
