// `--verbose`, `--log-level` and `--log-format` of `start` and `worker`. They set TASKHUB_LOG_LEVEL and
// TASKHUB_LOG_FORMAT for this process before its logger exists, and so for the language worker it forks as well.
import type { Command } from 'commander';
import { LOG_FORMATS, LOG_LEVELS } from '../log.js';

export interface LogOptions {
  readonly verbose?: boolean;
  readonly logLevel?: string;
  readonly logFormat?: string;
}

export function withLogOptions(command: Command): Command {
  return command
    .option('-v, --verbose', "log at debug level: also each invocation's start, and the host's own details")
    .option('--log-level <level>', `${LOG_LEVELS.join(', ')} (default: env TASKHUB_LOG_LEVEL, else info)`)
    .option('--log-format <format>', 'pretty or json (default: pretty on a terminal, json otherwise)');
}

/** Checks the options (naming the valid values) and puts them in the environment. */
export function applyLogOptions(options: LogOptions): void {
  if (options.logLevel !== undefined) {
    const level = options.logLevel.toLowerCase();
    if (!(LOG_LEVELS as readonly string[]).includes(level)) {
      throw new Error(`--log-level must be one of ${LOG_LEVELS.join(', ')}, not ${options.logLevel}`);
    }
    if (options.verbose && level !== 'debug' && level !== 'trace') {
      throw new Error(`Choose --verbose (debug) or --log-level ${options.logLevel}, not both.`);
    }
    process.env.TASKHUB_LOG_LEVEL = level;
  } else if (options.verbose) {
    process.env.TASKHUB_LOG_LEVEL = 'debug';
  }
  if (options.logFormat !== undefined) {
    const format = options.logFormat.toLowerCase();
    if (!(LOG_FORMATS as readonly string[]).includes(format)) {
      throw new Error(`--log-format must be one of ${LOG_FORMATS.join(', ')}, not ${options.logFormat}`);
    }
    process.env.TASKHUB_LOG_FORMAT = format;
  }
}
