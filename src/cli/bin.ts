#!/usr/bin/env node
// The npm `bin` entry: runs the CLI on this process's arguments.
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
