// The colored runtime-status badge used by the list, the counts and the detail page.
export function StatusBadge({ status, testId }: { status: string; testId?: string }) {
  return (
    <span class={`status status-${status.toLowerCase()}`} data-testid={testId}>
      {status}
    </span>
  );
}
