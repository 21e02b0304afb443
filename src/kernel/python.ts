import { existsSync } from 'node:fs';

/** The system python for our helper scripts: a pyenv or asdf shim on PATH costs ~100 ms per start. */
export const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
