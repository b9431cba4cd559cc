import { describe, expect, it } from 'vitest'
import { AppError, ConflictError, ForbiddenError, NotFoundError, refusalOf, UnauthenticatedError, ValidationError } from './errors.js'

describe('a refusal of one record', () => {
  it('is the fields’ problems of a validation error, or the message of any other refusal', () => {
    expect(refusalOf(new ValidationError([{ name: 'title', message: 'Enter a title' }]))).toEqual([{ name: 'title', message: 'Enter a title' }])
    expect(refusalOf(new ConflictError('Someone else changed it'))).toEqual([{ name: '', message: 'Someone else changed it' }])
    expect(refusalOf(new NotFoundError('No such release'))).toEqual([{ name: '', message: 'No such release' }])
  })

  it('is not an actor who may not write, nor a fault: those stop the whole run', () => {
    expect(refusalOf(new ForbiddenError())).toBeUndefined()
    expect(refusalOf(new UnauthenticatedError())).toBeUndefined()
    expect(refusalOf(new AppError('The database is down', 503, 'Unavailable'))).toBeUndefined()
    expect(refusalOf(new Error('disk full'))).toBeUndefined()
  })
})
