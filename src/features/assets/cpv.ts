import { readFileSync } from 'node:fs'
import path from 'node:path'
import { sourceRoot } from '../../paths.js'

/*
 * The Common Procurement Vocabulary 2008: what a thing is, as public procurement across Europe
 * names it. Codes are stored as their eight digits (`30200000`); the check digit after the dash
 * (`30200000-1`) is accepted and checked, never stored.
 */

export interface CpvEntry {
  code: string
  checkDigit: string
  label: string
  /** Lower-cased label, for word search. */
  words: string
}

let entries: CpvEntry[] | undefined
let byCode: Map<string, CpvEntry> | undefined

function load(): { list: CpvEntry[]; map: Map<string, CpvEntry> } {
  if (!entries || !byCode) {
    const raw = JSON.parse(readFileSync(path.join(sourceRoot, 'features', 'assets', 'seed', 'cpv-en.json'), 'utf8')) as Record<string, string>
    entries = Object.entries(raw).map(([key, label]) => {
      const [code, checkDigit] = key.split('-') as [string, string]
      return { code, checkDigit, label, words: label.toLowerCase() }
    })
    byCode = new Map(entries.map((e) => [e.code, e]))
  }
  return { list: entries, map: byCode }
}

export function cpvEntry(code: string | null | undefined): CpvEntry | undefined {
  return code ? load().map.get(code) : undefined
}

export function cpvLabel(code: string | null | undefined): string | undefined {
  return cpvEntry(code)?.label
}

/** The two-digit division a code belongs to (`30` for `30200000`), and its label. */
export function cpvDivision(code: string): { code: string; label: string } {
  const division = code.slice(0, 2)
  return { code: division, label: cpvLabel(`${division}000000`) ?? division }
}

/**
 * Reads a CPV code as people write it: `30200000`, `30200000-1`, `30200000-1 Computer
 * equipment…`, with stray spaces. Answers the stored eight digits, or why it is not a code.
 */
export function parseCpv(text: string): { code: string } | { problem: string } {
  const match = /^\s*(\d{2})\s*(\d{6})\s*(?:-\s*(\d))?(?:\s.*)?$/s.exec(text)
  if (!match) return { problem: `“${text.trim()}” is not a CPV code: give its eight digits, like 30200000 or 30200000-1` }
  const code = `${match[1]}${match[2]}`
  const entry = cpvEntry(code)
  if (!entry) return { problem: `${code} is not in the CPV 2008 list: look the code up by its words` }
  if (match[3] !== undefined && match[3] !== entry.checkDigit) {
    return { problem: `The check digit of ${code} is ${entry.checkDigit}, not ${match[3]}: give ${code}-${entry.checkDigit} or just ${code}` }
  }
  return { code }
}

/**
 * Finds codes by their digits or their words. Digits are a prefix of the code, with the
 * trailing zeros of a level dropped, so `302` and `30200000` both find computer equipment and
 * everything under it; words must all appear in the label, labels with them as a phrase first,
 * then broader codes.
 */
export function searchCpv(query: string, limit = 50): { total: number; items: CpvEntry[] } {
  const { list } = load()
  const q = query.trim()
  if (!q) return { total: 0, items: [] }
  const digits = /^(\d{1,8})(?:-\d)?$/.exec(q.replace(/\s+/g, ''))
  let found: CpvEntry[]
  if (digits) {
    // A whole code stands for its level: the zeros after its significant digits (at least the
    // division's two) are "anything".
    const given = digits[1]!
    const prefix = given.length === 8 ? given.slice(0, Math.max(2, depth(given))) : given
    found = list.filter((e) => e.code.startsWith(prefix))
  } else {
    const words = q.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean)
    found = words.length === 0 ? [] : list.filter((e) => words.every((w) => wordIn(e.words, w)))
    // The words as a phrase first ("computer equipment", not "equipment except computers"), then broader codes.
    const phrase = words.join(' ')
    const rank = (e: CpvEntry) => (e.words.includes(phrase) ? 0 : 1)
    found.sort((a, b) => rank(a) - rank(b) || depth(a.code) - depth(b.code) || a.code.localeCompare(b.code))
  }
  return { total: found.length, items: found.slice(0, limit) }
}

/** Whether a word starts a word of the label ("comput" finds "computer", not "microcomputer"). */
function wordIn(label: string, word: string): boolean {
  let at = label.indexOf(word)
  while (at !== -1) {
    if (at === 0 || !/[\p{L}\p{N}]/u.test(label[at - 1]!)) return true
    at = label.indexOf(word, at + 1)
  }
  return false
}

/** How far down the hierarchy a code is: divisions (2 digits) first. */
function depth(code: string): number {
  return code.replace(/0+$/, '').length
}
