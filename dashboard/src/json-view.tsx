// Shows a stored JSON payload readably, and a small JSON editor that says what is wrong before anything is sent.
import { useState } from 'preact/hooks';

export function JsonView({ value, testId }: { value: unknown; testId?: string }) {
  if (value === undefined || value === null) return <span class="muted">none</span>;
  const text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value, null, 2);
  return (
    <pre class="json" data-testid={testId}>
      {text.length > 20_000 ? `${text.slice(0, 20_000)}\n… (${text.length - 20_000} more characters)` : text}
    </pre>
  );
}

export function JsonEditor({
  value,
  onChange,
  testId,
  label,
}: {
  value: string;
  onChange: (text: string, valid: boolean) => void;
  testId?: string;
  /** The textarea's accessible name (a visible label above it is not tied to it). */
  label?: string;
}) {
  const [error, setError] = useState<string | null>(null);
  const update = (text: string): void => {
    let problem: string | null = null;
    if (text.trim() !== '') {
      try {
        JSON.parse(text);
      } catch (err) {
        problem = (err as Error).message;
      }
    }
    setError(problem);
    onChange(text, problem === null);
  };
  const format = (): void => {
    try {
      update(JSON.stringify(JSON.parse(value), null, 2));
    } catch {
      // Leaves invalid text as it is; the message under the box already says why.
    }
  };
  return (
    <div class="json-editor">
      <textarea
        value={value}
        rows={8}
        spellcheck={false}
        aria-label={label}
        data-testid={testId}
        onInput={(e) => update(e.currentTarget.value)}
      />
      <div class="editor-bar">
        {error ? (
          <span class="error-text">Not JSON: {error}</span>
        ) : (
          <span class="muted">Valid JSON (empty sends null)</span>
        )}
        <button type="button" class="link" onClick={format}>
          Format
        </button>
      </div>
    </div>
  );
}
