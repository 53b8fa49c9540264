#!/usr/bin/env node
// The `taskhub` command: the compiled CLI (run `npm run build` first when working from a clone).
import '../dist/cli/main.js';
