const UK_DATE = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' })

/** The last answer, good for the second it was given in: imports and searches ask for every row. */
let remembered = { from: 0, until: 0, today: '' }

/** Today in the UK (Europe/London, whatever the server's zone), as an ISO date. */
export function todayInUk(now?: Date): string {
  if (now) return UK_DATE.format(now)
  const at = Date.now()
  if (at < remembered.from || at >= remembered.until) remembered = { from: at, until: at + 1000, today: UK_DATE.format(at) }
  return remembered.today
}
