#!/usr/bin/env node
// The `lgds` command. The TypeScript is compiled by `npm install` (the `prepare` script).
import v8 from 'node:v8'

// V8 lets the heap grow to about three times what is live before collecting it in full. The
// server streams catalogues of hundreds of thousands of records as garbage it no longer needs:
// half again what is live keeps its memory flat (and costs no measurable time).
v8.setFlagsFromString('--heap-growing-percent=50')

const { main } = await import('../dist/cli.js')
await main(process.argv)
