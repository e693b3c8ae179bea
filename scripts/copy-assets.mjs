// tsc copies only .ts output; the Lua scripts and web assets ship beside the compiled code.
import { cpSync, existsSync } from 'node:fs';

for (const dir of ['src/store/lua', 'src/web/dashboard']) {
  if (existsSync(dir)) cpSync(dir, `dist/${dir}`, { recursive: true });
}
