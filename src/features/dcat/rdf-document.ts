import { DataFactory, Writer, type BlankNode, type Literal, type NamedNode } from 'n3'
import { RDF_TYPE, XSD } from './namespaces.js'

/*
 * A small in-memory description of an RDF graph, written out as Turtle (with n3's Writer) or as
 * JSON-LD (built straight from the same statements). Both serialisations walk the one structure,
 * so they always carry the same triples; JSON-LD needs no jsonld.js processing on the way out,
 * which would cost more than the database reads of a catalogue page.
 *
 * Blank nodes are only ever nested (a contact point, a period of time): written as `[ … ]` in
 * Turtle and as embedded objects in JSON-LD, never with labels to keep in step.
 */

const { namedNode, literal } = DataFactory

/** A blank node described where it is used. */
export interface Nested {
  readonly nested: Statement[]
}
export type RdfObject = NamedNode | Literal | Nested
export type Statement = readonly [predicate: string, object: RdfObject]

/** Characters that may not appear in a Turtle IRIREF (nor, unencoded, in a URL). */
const NOT_IN_IRI = /[\u0000-\u0020<>"{}|^`\\]/g

/** An IRI term; characters a stored web address may hold but an IRI may not are percent-encoded. */
export function iri(value: string): NamedNode {
  return namedNode(value.replace(NOT_IN_IRI, (c) => encodeURIComponent(c)))
}

/** Text in English. */
export function english(value: string): Literal {
  return literal(value, 'en')
}

export function plain(value: string): Literal {
  return literal(value)
}

/** A literal typed by an XML Schema datatype (`date`, `dateTime`, `nonNegativeInteger`…). */
export function typed(value: string, xsdType: string): Literal {
  return literal(value, namedNode(`${XSD}${xsdType}`))
}

export function nested(...statements: Statement[]): Nested {
  return { nested: statements }
}

/** `rdf:type` — `a` in Turtle, `@type` in JSON-LD. */
export function a(classIri: string): Statement {
  return [RDF_TYPE, namedNode(classIri)]
}

export class RdfDocument {
  private readonly subjects = new Map<string, Statement[]>()

  /** Statements about a subject, after any already made. */
  add(subject: string, ...statements: Statement[]): void {
    const list = this.subjects.get(subject)
    if (list) list.push(...statements)
    else this.subjects.set(subject, [...statements])
  }

  /**
   * Describes a resource many others point at (a publisher, a theme, a licence) once per
   * document, however many datasets on the page use it.
   */
  describeOnce(subject: string, describe: () => Statement[]): void {
    if (!this.subjects.has(subject)) this.subjects.set(subject, describe())
  }

  toTurtle(prefixes: Record<string, string>): string {
    const writer = new Writer({ prefixes })
    const objectTerm = (object: RdfObject): NamedNode | Literal | BlankNode =>
      'nested' in object ? writer.blank(object.nested.map(([p, o]) => ({ predicate: namedNode(p), object: objectTerm(o) }))) : object
    for (const [subject, statements] of this.subjects) {
      const subjectTerm = iri(subject)
      for (const [predicate, object] of statements) writer.addQuad(subjectTerm, namedNode(predicate), objectTerm(object))
    }
    let turtle = ''
    writer.end((_error, result: string) => (turtle = result))
    return turtle
  }

  /** JSON-LD with a prefix `@context`: one node per described subject in `@graph`. */
  toJsonLd(prefixes: Record<string, string>): Record<string, unknown> {
    const compact = compacter(prefixes)
    const node = (statements: Statement[], id?: string): Record<string, unknown> => {
      const out: Record<string, unknown> = id === undefined ? {} : { '@id': id }
      const types: string[] = []
      const properties = new Map<string, unknown[]>()
      for (const [predicate, object] of statements) {
        if (predicate === RDF_TYPE && !('nested' in object) && object.termType === 'NamedNode') {
          types.push(compact(object.value))
          continue
        }
        const key = compact(predicate)
        const value = 'nested' in object ? node(object.nested) : jsonValue(object, compact)
        const values = properties.get(key)
        if (values) values.push(value)
        else properties.set(key, [value])
      }
      if (types.length > 0) out['@type'] = types.length === 1 ? types[0] : types
      for (const [key, values] of properties) out[key] = values.length === 1 ? values[0] : values
      return out
    }
    const graph = [...this.subjects].map(([subject, statements]) => node(statements, iri(subject).value))
    return { '@context': prefixes, '@graph': graph }
  }
}

function jsonValue(term: NamedNode | Literal, compact: (iri: string) => string): unknown {
  if (term.termType === 'NamedNode') return { '@id': term.value }
  if (term.language) return { '@value': term.value, '@language': term.language }
  if (term.datatype.value === `${XSD}string`) return term.value
  return { '@value': term.value, '@type': compact(term.datatype.value) }
}

/** A local name that is safe to write after a prefix in JSON-LD and reads as one word. */
const LOCAL_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/

/** Shortens a full IRI to `prefix:local` when one of the prefixes covers it. */
function compacter(prefixes: Record<string, string>): (iri: string) => string {
  const entries = Object.entries(prefixes).sort((x, y) => y[1].length - x[1].length)
  const cache = new Map<string, string>()
  return (value) => {
    let short = cache.get(value)
    if (short !== undefined) return short
    short = value
    for (const [prefix, namespace] of entries) {
      if (value.startsWith(namespace) && LOCAL_NAME.test(value.slice(namespace.length))) {
        short = `${prefix}:${value.slice(namespace.length)}`
        break
      }
    }
    cache.set(value, short)
    return short
  }
}
