// Sub-orchestrations: the parent starts one child orchestration per tenant (in parallel, with readable child ids) and
// collects their results; each child runs its own activity chain. A child's failure reaches the parent as an error.
import * as df from 'durable-functions';

df.app.activity('CreateDatabase', { handler: (tenant) => `db-${tenant}` });
df.app.activity('SeedData', {
  handler: (input) => {
    if (input.tenant === 'broken') throw new Error(`Cannot seed ${input.database}`);
    return { rows: 10 };
  },
});

df.app.orchestration('ProvisionTenant', function* (context) {
  const tenant = context.df.getInput();
  const database = yield context.df.callActivity('CreateDatabase', tenant);
  const seed = yield context.df.callActivity('SeedData', { tenant, database });
  return { tenant, database, rows: seed.rows, parent: context.df.parentInstanceId };
});

df.app.orchestration('ProvisionTenants', function* (context) {
  const tenants = context.df.getInput() ?? [];
  const children = tenants.map((tenant) =>
    context.df.callSubOrchestrator('ProvisionTenant', tenant, `${context.df.instanceId}:${tenant}`),
  );
  try {
    return { provisioned: yield context.df.Task.all(children) };
  } catch (err) {
    return { failed: err.message };
  }
});
