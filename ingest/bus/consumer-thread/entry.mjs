// Worker-thread entry: workers do not inherit the main thread's TypeScript loader, so register it here first.
import { register } from 'tsx/esm/api';

register();
await import('./thread.ts');
