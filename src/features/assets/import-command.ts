import { statSync } from 'node:fs'
import { Option, type Command } from 'commander'
import { openDatabase } from '../../bootstrap.js'
import type { Config } from '../../config.js'
import { systemActor } from '../../platform/actor.js'
import { fileSource, type CsvSource } from '../../platform/csv-input.js'
import { startProgress, type Progress } from '../../platform/progress.js'
import { createServices } from '../../services.js'
import { importReportText } from '../../platform/import-report.js'
import { assetImportOutcome, type AssetImportReport } from './import.js'
import type { ImportFormat } from './import-columns.js'

const actor = systemActor('lgds command')

interface Options {
  org: string
  format?: ImportFormat
  dryRun?: boolean
  allowPartial?: boolean
}

/** `lgds import assets FILE --org SLUG`: reads the file from disk a chunk at a time, so a register of any size fits. */
export function addAssetImportCommand(importer: Command, config: () => Config): void {
  importer
    .command('assets')
    .description('add and update a body’s assets from a CSV register, the Transparency Code layout or the template (exits 1 when rows are rejected)')
    .argument('<file>', 'the CSV file')
    .requiredOption('--org <slug>', 'the body whose assets these are')
    .addOption(new Option('--format <format>', 'how to read the headings (default: told from them)').choices(['transparency-code', 'generic']))
    .option('--dry-run', 'check the file and say what importing would do, saving nothing')
    .option('--allow-partial', 'save the valid rows even when others are rejected')
    .action(async (file: string, options: Options) => {
      let source: CsvSource
      try {
        if (!statSync(file).isFile()) throw new Error('it is not a file')
        source = fileSource(file)
      } catch (error) {
        console.error(`Cannot read ${file}: ${(error as Error).message}`)
        process.exitCode = 2
        return
      }
      const cfg = config()
      const db = await openDatabase(cfg)
      try {
        const services = createServices(cfg, db)
        const organisation = await services.organisations.getBySlug(options.org).catch(() => undefined)
        if (!organisation) {
          console.error(`There is no body called “${options.org}”: give its web address name, like trafford.`)
          process.exitCode = 2
          return
        }
        let progress: Progress | undefined
        const report = await services.assetImport.importCsv(actor, organisation.slug, source, {
          dryRun: options.dryRun,
          allowPartial: options.allowPartial,
          ...(options.format ? { format: options.format } : {}),
          onProgress: (done, total) => {
            progress ??= startProgress('Importing (bytes read)', total)
            progress.update(done)
          },
        })
        progress?.stop()
        console.log(assetReportText(report).join('\n'))
        if (report.rejected.length > 0) process.exitCode = 1
      } finally {
        await db.close()
      }
    })
}

export function assetReportText(report: AssetImportReport): string[] {
  const lines = importReportText(report)
  if (report.fileRejected) {
    const { heading, detail } = assetImportOutcome(report)
    lines[0] = `${heading}. ${detail}`
  }
  else lines.splice(1, 0, `Read as ${report.format === 'transparency-code' ? 'a Transparency Code register' : 'the platform’s template'}.`)
  return lines
}
