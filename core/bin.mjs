#!/usr/bin/env node
// Entry shim: registers the TypeScript loader, then runs the CLI. Kept in JS so `npx accessproof` works without a build.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('./cli.ts');
process.exitCode = await runCli(process.argv.slice(2));
