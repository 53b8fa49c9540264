// The tester's app: an orchestrator that returns its input at once, so it ends in its first episode.
import * as df from 'durable-functions';

df.app.orchestration('Quick', function* (context) {
  yield* [];
  return context.df.getInput();
});
