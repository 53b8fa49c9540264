// The doctor page: what `taskhub doctor` finds in this task hub (GET …/doctor), errors first, each with what it means,
// the instances it concerns (linked) and the commands that fix it: ready to copy, or marked as templates to fill in.
// Times inside findings follow the UTC/local toggle. Refreshed on demand.
import { useEffect, useState } from 'preact/hooks';
import { api, type DoctorReport, type Finding } from './api.js';
import { formatTime, zoneLabel } from './time.js';

export function Doctor() {
  const [report, setReport] = useState<DoctorReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const load = (): void => {
    setLoading(true);
    api
      .doctor()
      .then((r) => {
        setReport(r);
        setError(null);
      })
      .catch((err: Error) => setError(err.message))
      .finally(() => setLoading(false));
  };
  useEffect(load, []);
  const problems = report ? report.summary.errors + report.summary.warnings : 0;
  return (
    <div class="panel doctor" data-testid="doctor">
      <div class="doctor-head">
        <h2>Doctor</h2>
        <button type="button" data-testid="doctor-refresh" disabled={loading} onClick={load}>
          {loading ? 'Checking…' : 'Check again'}
        </button>
      </div>
      {error && <p class="error-text">{error}</p>}
      {report && (
        <>
          <p class="muted" data-testid="doctor-summary">
            {problems === 0
              ? 'No problems found'
              : `${report.summary.errors} error${report.summary.errors === 1 ? '' : 's'}, ` +
                `${report.summary.warnings} warning${report.summary.warnings === 1 ? '' : 's'}`}
            {' · checked '}
            {formatTime(report.checkedAt)} {zoneLabel(Date.parse(report.checkedAt))}
            {' · the same report as '}
            <code>taskhub doctor</code>
          </p>
          {report.findings.map((f, i) => (
            <FindingView key={`${f.code}-${i}`} finding={f} />
          ))}
        </>
      )}
    </div>
  );
}

function FindingView({ finding: f }: { finding: Finding }) {
  const entity = (id: string) => id.startsWith('@');
  return (
    <section class={`finding ${f.severity}`} data-testid="finding" data-code={f.code} data-severity={f.severity}>
      <h3>
        <span class={`severity ${f.severity}`} data-testid="finding-severity">
          {f.severity}
        </span>{' '}
        <span data-testid="finding-title">{f.title}</span>
      </h3>
      <p>{inZone(f.meaning)}</p>
      {f.details.length > 0 && (
        <ul class="finding-details">
          {f.details.map((d, i) => (
            <li key={i}>{inZone(d)}</li>
          ))}
        </ul>
      )}
      {f.instanceIds.length > 0 && (
        <p class="finding-ids">
          {f.instanceIds.map((id) =>
            entity(id) ? (
              <a key={id} href="#/entities" data-testid="finding-instance">
                {id}
              </a>
            ) : (
              <a key={id} href={`#/instances/${encodeURIComponent(id)}`} data-testid="finding-instance">
                {id}
              </a>
            ),
          )}
          {f.count > f.instanceIds.length && <span class="muted"> and {f.count - f.instanceIds.length} more</span>}
        </p>
      )}
      {f.advice && <p class="muted">{f.advice}</p>}
      {f.fix.length > 0 && (
        <div class="fix">
          <span class="muted">Fix:</span>
          {f.fix.map((cmd, i) =>
            cmd.startsWith(TEMPLATE) ? (
              <div key={i} class="fix-template">
                <span class="muted" data-testid="finding-fix-template">
                  {TEMPLATE.trim()} (replace the &lt;placeholders&gt; first)
                </span>
                <pre data-testid="finding-fix">{cmd.slice(TEMPLATE.length)}</pre>
              </div>
            ) : (
              <pre key={i} data-testid="finding-fix">
                {cmd}
              </pre>
            ),
          )}
        </div>
      )}
    </section>
  );
}

/** Doctor's fix commands that hold placeholders start with this (src/doctor/diagnose.ts TEMPLATE). */
const TEMPLATE = 'Fill in and run: ';

/** The ISO 8601 UTC times doctor writes into its text, shown in the zone the toggle picked. */
function inZone(text: string): string {
  return text.replace(
    /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z\b/g,
    (iso) => `${formatTime(iso)} ${zoneLabel(Date.parse(iso))}`,
  );
}
