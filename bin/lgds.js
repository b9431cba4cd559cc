#!/usr/bin/env node
// The `lgds` command. The TypeScript is compiled by `npm install` (the `prepare` script).
import { main } from '../dist/cli.js'

await main(process.argv)
