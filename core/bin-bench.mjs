#!/usr/bin/env node
// Entry shim of `npm run bench`: registers the TypeScript loader, then runs bench/main.ts (see README "Performance").
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../bench/main.ts');
process.exitCode = await main(process.argv.slice(2));
