// The counter entity the entity tests, the SIGKILL child and the W8 benchmark share.
import type { EntityContext } from '../../src/core/context.js';
import { EntityId } from '../../src/core/entity-id.js';

export function counter(context: EntityContext<number>): void {
  const df = context.df;
  const value = df.getState(() => 0) ?? 0;
  switch (df.operationName) {
    case 'add':
      df.setState(value + (df.getInput<number>() ?? 1));
      break;
    case 'reset':
      df.setState(0);
      break;
    case 'get':
      df.return(value);
      break;
    case 'addThenFail':
      df.setState(value + 1000);
      df.signalEntity(new EntityId('Counter', 'shadow'), 'add', 1);
      throw new Error('refused');
    case 'forward':
      df.signalEntity(new EntityId('Counter', df.getInput<string>() ?? 'other'), 'add', value);
      break;
    case 'delete':
      df.destructOnExit();
      break;
    default:
      throw new Error(`unknown operation '${df.operationName}'`);
  }
}
