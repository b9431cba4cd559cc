import { dictionary } from '@zxcvbn-ts/language-common'

export const MIN_PASSWORD_LENGTH = 10
export const MAX_PASSWORD_LENGTH = 256

// NCSC guidance: a minimum length and a deny-list of the passwords people really use, rather
// than composition rules. The list is zxcvbn's ~49,000 most common passwords.
const COMMON = new Set((dictionary['passwords-common'] as string[]).map((p) => p.toLowerCase()))

/** The reason a new password is refused, or undefined when it is acceptable. */
export function passwordProblem(password: string, context: { email?: string; name?: string } = {}): string | undefined {
  if (!password) return 'Enter a password'
  if (password.length < MIN_PASSWORD_LENGTH) return `Password must be ${MIN_PASSWORD_LENGTH} characters or more`
  if (password.length > MAX_PASSWORD_LENGTH) return `Password must be ${MAX_PASSWORD_LENGTH} characters or fewer`
  const lower = password.toLowerCase()
  if (COMMON.has(lower) || /^(.)\1+$/.test(password) || isSequence(lower)) {
    return 'That password is too common and easy to guess. Try three random words'
  }
  const localPart = context.email?.split('@')[0]?.toLowerCase()
  if (localPart && localPart.length >= 4 && lower.includes(localPart)) return 'Password must not contain your email address'
  return undefined
}

function isSequence(text: string): boolean {
  return '0123456789012345678901234567890'.includes(text) || 'abcdefghijklmnopqrstuvwxyz'.includes(text)
}
