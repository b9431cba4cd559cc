import { mkdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { Command, CommanderError, Option } from 'commander'
import { loadConfig, ConfigError, type Config } from './config.js'
import { openDatabase, seed, sqliteFileFor } from './bootstrap.js'
import { seedDemo } from './demo.js'
import { addAssetImportCommand } from './features/assets/import-command.js'
import { importReportText } from './platform/import-report.js'
import { DEFAULT_LIMITS } from './features/harvest/fetch-source.js'
import type { HarvestSource } from './features/harvest/read-source.js'
import { harvestReportText, type HarvestFormat } from './features/harvest/report.js'
import { createServices, type Services } from './services.js'
import { systemActor } from './platform/actor.js'
import { dispatchAllDue } from './platform/notifications/outbox.js'
import { AppError, ValidationError } from './platform/errors.js'
import { startProgress } from './platform/progress.js'

const actor = systemActor('lgds command')

/** Opens the database, runs the work, and always closes it again. */
async function withServices<T>(config: Config, work: (services: Services) => Promise<T>): Promise<T> {
  const db = await openDatabase(config)
  try {
    return await work(createServices(config, db))
  } finally {
    await db.close()
  }
}

export function buildProgram(config: () => Config): Command {
  const program = new Command('lgds')
    .description('The Local Government Digital Service platform')
    .showHelpAfterError()
    .exitOverride()

  program
    .command('serve')
    .description('run the web app and API (migrates and seeds an empty database first)')
    // The web app is loaded only to serve: the other commands start in half the time without it.
    .action(async () => (await import('./server.js')).serve(config()))

  program
    .command('migrate')
    .description('bring the database schema up to date')
    .action(async () => {
      const cfg = config()
      const db = await openDatabase(cfg)
      await db.close()
      console.log(`Database is up to date (${db.engine}).`)
    })

  program
    .command('seed')
    .description('load the register of UK local authorities (safe to run again)')
    .option('--demo', 'also add demonstration content')
    .action(async (options: { demo?: boolean }) =>
      withServices(config(), async (services) => {
        let progress: ReturnType<typeof startProgress> | undefined
        const report = await seed(services, (done, total) => {
          progress ??= startProgress('Organisations', total)
          progress.update(done)
        })
        progress?.stop()
        const o = report.organisations
        console.log(`Organisations: ${o.created} added, ${o.updated} updated, ${o.unchanged} unchanged.`)
        if (options.demo) {
          const demo = await seedDemo(services)
          console.log(`Demonstration bodies: ${demo.created} added, ${demo.unchanged} already there.`)
          console.log(`Demonstration datasets: ${demo.datasets} added.`)
          console.log(`Demonstration requests: ${demo.requests} added.`)
          console.log(`Demonstration assets: ${demo.assets} added.`)
        }
      }),
    )

  const user = program.command('user').description('manage accounts')
  user
    .command('create')
    .description('create an account (password from LGDS_PASSWORD or a prompt)')
    .requiredOption('--email <email>', 'email address')
    .requiredOption('--name <name>', 'full name')
    .option('--org <slug>', 'make the account a member of this body')
    .addOption(new Option('--role <role>', 'role in the body').choices(['editor', 'admin']).default('editor'))
    .option('--platform-admin', 'make the account a platform administrator')
    .action(async (options: { email: string; name: string; org?: string; role: 'editor' | 'admin'; platformAdmin?: boolean }) =>
      withServices(config(), async (services) => {
        let account = await services.accounts.findUserByEmail(options.email)
        if (!account) {
          const password = process.env.LGDS_PASSWORD ?? (await promptPassword('Password for the new account: '))
          account = await services.accounts.signUp(actor, { email: options.email, name: options.name, password }, { platformAdmin: options.platformAdmin })
          console.log(`Created account ${account.email}.`)
        } else {
          console.log(`Account ${account.email} already exists.`)
          if (options.platformAdmin) await services.accounts.setPlatformAdmin(actor, account.id, true)
        }
        if (options.platformAdmin) console.log('It is a platform administrator.')
        if (options.org) {
          const member = await services.accounts.addMember(actor, options.org, { email: account.email, role: options.role })
          console.log(`It is ${member.role === 'admin' ? 'an administrator' : 'an editor'} of ${options.org}.`)
        }
      }),
    )

  const token = program.command('token').description('manage API tokens')
  token
    .command('create')
    .description('create an API token for a body (printed once)')
    .requiredOption('--org <slug>', 'the body the token acts for')
    .requiredOption('--name <name>', 'what will use it')
    .addOption(new Option('--scope <scope>', 'what it may do').choices(['read', 'write']).makeOptionMandatory())
    .action(async (options: { org: string; name: string; scope: string }) =>
      withServices(config(), async (services) => {
        const { secret } = await services.accounts.createToken(actor, options.org, options)
        console.error(`Token “${options.name}” (${options.scope}) for ${options.org}. It is shown once; store it safely:`)
        console.log(secret)
      }),
    )

  const importer = program.command('import').description('import records from files')
  importer
    .command('datasets')
    .description('declare and update a body’s datasets from a CSV file in the template (exits 1 when rows are rejected)')
    .argument('<file>', 'the CSV file')
    .requiredOption('--org <slug>', 'the body whose datasets these are')
    .option('--dry-run', 'check the file and say what importing would do, saving nothing')
    .option('--allow-partial', 'save the valid rows even when others are rejected')
    .action(async (file: string, options: { org: string; dryRun?: boolean; allowPartial?: boolean }) => {
      let bytes: Buffer
      try {
        bytes = readFileSync(file)
      } catch (error) {
        console.error(`Cannot read ${file}: ${(error as Error).message}`)
        process.exitCode = 2
        return
      }
      await withServices(config(), async (services) => {
        const organisation = await services.organisations.getBySlug(options.org).catch(() => undefined)
        if (!organisation) {
          console.error(`There is no body called “${options.org}”: give its web address name, like trafford.`)
          process.exitCode = 2
          return
        }
        let progress: ReturnType<typeof startProgress> | undefined
        const report = await services.datasetImport.importCsv(actor, organisation.slug, bytes, {
          dryRun: options.dryRun,
          allowPartial: options.allowPartial,
          onProgress: (done, total) => {
            progress ??= startProgress('Importing (bytes read)', total)
            progress.update(done)
          },
        })
        progress?.stop()
        console.log(importReportText(report).join('\n'))
        if (report.rejected.length > 0) process.exitCode = 1
      })
    })

  addAssetImportCommand(importer, config)

  program
    .command('harvest')
    .description('declare and update a body’s datasets from a data portal’s catalogue (exits 1 when records are rejected)')
    .argument('<source>', 'the catalogue’s address (https://…) or a saved catalogue file')
    .requiredOption('--org <slug>', 'the body whose datasets these are')
    .addOption(new Option('--format <format>', 'the catalogue’s format').choices(['datajson', 'ckan', 'dcat']).makeOptionMandatory())
    .option('--dry-run', 'read the catalogue and say what harvesting would do, saving nothing')
    .option('--allow-partial', 'save the readable records even when others are rejected')
    .action(async (from: string, options: { org: string; format: HarvestFormat; dryRun?: boolean; allowPartial?: boolean }) => {
      let source: HarvestSource
      if (/^https?:\/\//i.test(from)) source = { url: from }
      else {
        try {
          if (statSync(from).size > DEFAULT_LIMITS.maxBytes) throw new Error(`larger than ${DEFAULT_LIMITS.maxBytes / 1024 / 1024} MB`)
          source = { fileName: from, bytes: readFileSync(from) }
        } catch (error) {
          console.error(`Cannot read ${from}: ${(error as Error).message}`)
          process.exitCode = 2
          return
        }
      }
      await withServices(config(), async (services) => {
        const organisation = await services.organisations.getBySlug(options.org).catch(() => undefined)
        if (!organisation) {
          console.error(`There is no body called “${options.org}”: give its web address name, like trafford.`)
          process.exitCode = 2
          return
        }
        // The operator runs the command on the server, so addresses on its own network may be harvested.
        const report = await services.harvest.harvest(actor, organisation.slug, source, options.format, { dryRun: options.dryRun, allowPartial: options.allowPartial, allowPrivateNetworks: true })
        console.log(harvestReportText(report).join('\n'))
        if (report.rejected.length > 0) process.exitCode = 1
      })
    })

  program
    .command('notifications')
    .description('notifications waiting in the outbox')
    .command('send')
    .description('send the notifications that are due now (the server also does every 30 seconds)')
    .action(async () => {
      const cfg = config()
      await withServices(cfg, async (services) => {
        const log = { info: (details: object, message: string) => console.log(message, JSON.stringify(details)), warn: (details: object, message: string) => console.error(message, JSON.stringify(details)) }
        const { notifierFor } = await import('./platform/notifications/factory.js')
        const notifier = notifierFor(cfg, log)
        const result = await dispatchAllDue(services.db.kysely, notifier)
        console.log(`Notifications (${notifier.name}): ${result.sent} sent, ${result.failed} failed and will be tried again, ${result.gaveUp} given up.`)
        if (result.failed + result.gaveUp > 0) process.exitCode = 1
      })
    })

  program
    .command('backup')
    .description('copy the SQLite database to FILE while the platform runs')
    .argument('<file>', 'where to write the copy')
    .action(async (file: string) => {
      const cfg = config()
      if (cfg.databaseUrl) {
        console.error('This platform runs on PostgreSQL: back it up with pg_dump, for example `pg_dump --format=custom "$DATABASE_URL" > lgds.dump`.')
        process.exitCode = 1
        return
      }
      const db = await openDatabase(cfg)
      try {
        mkdirSync(path.dirname(path.resolve(file)), { recursive: true })
        let progress: ReturnType<typeof startProgress> | undefined
        await db.sqlite!.backup(file, {
          progress({ totalPages, remainingPages }) {
            progress ??= startProgress('Backing up', totalPages)
            progress.update(totalPages - remainingPages)
            return 200
          },
        })
        progress?.stop()
        console.log(`Backed up ${sqliteFileFor(cfg)} to ${file}.`)
      } finally {
        await db.close()
      }
    })

  return program
}

/** Reads a password without echoing it on a terminal; reads a line from a pipe otherwise. */
async function promptPassword(question: string): Promise<string> {
  const input = process.stdin
  const rl = createInterface({ input, output: process.stderr, terminal: Boolean(input.isTTY) })
  if (input.isTTY) {
    // Echo nothing while the password is typed.
    ;(rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
      if (s.includes(question)) process.stderr.write(question)
    }
  }
  return new Promise((resolve) => {
    rl.question(question, (answer) => {
      rl.close()
      if (input.isTTY) process.stderr.write('\n')
      resolve(answer)
    })
  })
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram(() => loadConfig())
  try {
    await program.parseAsync(argv)
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are not errors; wrong arguments exit 2 after commander printed usage.
      process.exitCode = error.exitCode === 0 ? 0 : 2
      return
    }
    if (error instanceof ConfigError) {
      console.error(error.message)
      process.exitCode = 2
      return
    }
    if (error instanceof ValidationError) {
      console.error(error.fields.map((f) => `${f.name}: ${f.message}`).join('\n'))
      process.exitCode = 1
      return
    }
    if (error instanceof AppError) {
      console.error(error.message)
      process.exitCode = 1
      return
    }
    throw error
  }
}
