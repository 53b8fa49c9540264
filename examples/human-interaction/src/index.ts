// Human interaction: request an approval, then race the Approval event against a durable timer. The event wins if
// someone answers in time (raise it with the sendEventPostUri); otherwise the request is escalated.
import * as df from 'durable-functions';
import type { OrchestrationContext } from 'durable-functions';

interface ApprovalRequest {
  readonly document: string;
  /** How long to wait for an answer (default one day). */
  readonly timeoutSeconds?: number;
}

interface Approval {
  readonly approved: boolean;
  readonly by: string;
}

df.app.activity('RequestApproval', {
  handler: (request: ApprovalRequest, context) => {
    context.log(`Approval requested for ${request.document}.`);
    return { notified: 'approvers@example.com' };
  },
});

df.app.activity('Escalate', {
  handler: (request: ApprovalRequest) => ({ escalatedTo: 'manager@example.com', document: request.document }),
});

df.app.orchestration('ApprovalWorkflow', function* (context: OrchestrationContext) {
  const request = context.df.getInput<ApprovalRequest>();
  yield context.df.callActivity('RequestApproval', request);

  const deadline = new Date(context.df.currentUtcDateTime.getTime() + (request.timeoutSeconds ?? 86_400) * 1000);
  const timeout = context.df.createTimer(deadline);
  const answer = context.df.waitForExternalEvent('Approval');
  const winner: unknown = yield context.df.Task.any([answer, timeout]);

  if (winner === answer) {
    timeout.cancel();
    const approval = answer.result as Approval;
    return { document: request.document, outcome: approval.approved ? 'Approved' : 'Rejected', by: approval.by };
  }
  const escalation: unknown = yield context.df.callActivity('Escalate', request);
  return { document: request.document, outcome: 'Escalated', escalation };
});
