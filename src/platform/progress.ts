import cliProgress from 'cli-progress'

export interface Progress {
  update(done: number): void
  stop(): void
}

/**
 * A progress bar on a terminal; plain "n of total" lines (at most one every 10 %) when the
 * output is a file or a pipe, so logs stay readable.
 */
export function startProgress(label: string, total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {percentage}% | {value}/{total}`, stream, hideCursor: true },
      cliProgress.Presets.shades_classic,
    )
    bar.start(total, 0)
    return { update: (done) => bar.update(done), stop: () => bar.stop() }
  }
  let lastDecile = -1
  return {
    update(done) {
      const decile = total > 0 ? Math.floor((done / total) * 10) : 10
      if (decile !== lastDecile) {
        lastDecile = decile
        stream.write(`${label}: ${done} of ${total}\n`)
      }
    },
    stop() {},
  }
}
