// The Restate client driver: each instance is a Restate workflow keyed by the harness's id, started through the
// HTTP ingress (workflowSubmit: a durable start) and awaited with workflowAttach.
import * as clients from '@restatedev/restate-sdk-clients';
import type { Adapter } from '../common.js';
import type { events, fanout, helloChain, oneStep, sequence } from './restate-service.js';

export function restateAdapter(ingressUrl: string): Adapter {
  const ingress = clients.connect({ url: ingressUrl });
  const HelloChain = { name: 'HelloChain' } as typeof helloChain;
  const OneStep = { name: 'OneStep' } as typeof oneStep;
  const Sequence = { name: 'Sequence' } as typeof sequence;
  const Fanout = { name: 'Fanout' } as typeof fanout;
  const Events = { name: 'Events' } as typeof events;
  return {
    async helloChain(id) {
      const wf = ingress.workflowClient(HelloChain, id);
      await wf.workflowSubmit();
      return wf.workflowAttach();
    },
    async sequence(id, n) {
      const wf = ingress.workflowClient(Sequence, id);
      await wf.workflowSubmit(n);
      return wf.workflowAttach();
    },
    async fanout(id, n) {
      const wf = ingress.workflowClient(Fanout, id);
      await wf.workflowSubmit(n);
      return wf.workflowAttach();
    },
    async oneStep(id, name) {
      const wf = ingress.workflowClient(OneStep, id);
      await wf.workflowSubmit(name);
      return wf.workflowAttach();
    },
    async startEvents(id, n) {
      const wf = ingress.workflowClient(Events, id);
      await wf.workflowSubmit(n);
      return () => wf.workflowAttach();
    },
    async raiseEvent(id, index) {
      await ingress.workflowClient(Events, id).tick(index);
    },
  };
}
