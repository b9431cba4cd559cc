import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { connect } from '../../db/connection.js'
import { lgds } from '../../../test/support/cli.js'
import { enqueueNotifications } from './outbox.js'

describe('lgds notifications send', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'lgds-notify-'))
  const env = { LGDS_DATA_DIR: dataDir }
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

  it('sends what is waiting once, through the log when no Notify key is set', async () => {
    expect((await lgds(['migrate'], env)).code).toBe(0)
    const db = connect({ sqliteFile: path.join(dataDir, 'lgds.sqlite') })
    await enqueueNotifications(db.kysely, [
      { recipient: 'tara@trafford.example.org', subject: 'Manchester asks to borrow your minibus', body: 'Private detail', reference: 'share-request:1' },
      { recipient: 'mo@manchester.example.org', subject: 'Your request was sent', body: 'Private detail', reference: 'share-request:1' },
    ])
    await db.close()
    const first = await lgds(['notifications', 'send'], { ...env, LOG_LEVEL: 'info' })
    expect(first).toMatchObject({ code: 0 })
    expect(first.stdout).toContain('Notifications (log): 2 sent, 0 failed and will be tried again, 0 given up.')
    expect(first.stdout).toContain('tara@trafford.example.org')
    expect(first.stdout).not.toContain('Private detail')
    const again = await lgds(['notifications', 'send'], env)
    expect(again.stdout).toContain('Notifications (log): 0 sent')
  })
})
