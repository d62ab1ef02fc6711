/**
 * A small JSON Schema checker for the subset the OpenAPI document uses
 * (type, enum, pattern, required, properties, additionalProperties: false,
 * items, minItems, maxItems, minimum, maximum, $ref to components). Returns
 * every violation with its path, so a failing test says what is wrong.
 */
type Schema = Record<string, unknown>

export function validateAgainst(document: { components: { schemas: Record<string, Schema> } }, schema: Schema, value: unknown): string[] {
  const errors: string[] = []
  const check = (s: Schema, v: unknown, path: string): void => {
    if (typeof s.$ref === 'string') {
      const name = s.$ref.replace('#/components/schemas/', '')
      const target = document.components.schemas[name]
      if (!target) errors.push(`${path}: unknown $ref ${s.$ref}`)
      else check(target, v, path)
      return
    }
    if (s.type !== undefined) {
      const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string]
      const actual = v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'number' && Number.isInteger(v) ? 'integer' : typeof v
      const ok = types.some((t) => t === actual || (t === 'number' && actual === 'integer'))
      if (!ok) {
        errors.push(`${path}: ${actual} is not ${types.join('|')}`)
        return
      }
    }
    if (Array.isArray(s.enum) && !s.enum.includes(v)) errors.push(`${path}: ${JSON.stringify(v)} not in ${JSON.stringify(s.enum)}`)
    if (typeof v === 'string' && typeof s.pattern === 'string' && !new RegExp(s.pattern, 'u').test(v)) errors.push(`${path}: "${v}" does not match ${s.pattern}`)
    if (typeof v === 'number') {
      if (typeof s.minimum === 'number' && v < s.minimum) errors.push(`${path}: ${v} < ${s.minimum}`)
      if (typeof s.maximum === 'number' && v > s.maximum) errors.push(`${path}: ${v} > ${s.maximum}`)
    }
    if (Array.isArray(v)) {
      if (typeof s.minItems === 'number' && v.length < s.minItems) errors.push(`${path}: fewer than ${s.minItems} items`)
      if (typeof s.maxItems === 'number' && v.length > s.maxItems) errors.push(`${path}: more than ${s.maxItems} items`)
      if (s.items) v.forEach((item, i) => check(s.items as Schema, item, `${path}[${i}]`))
    }
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const object = v as Record<string, unknown>
      const properties = (s.properties ?? {}) as Record<string, Schema>
      for (const name of (s.required ?? []) as string[]) if (!(name in object)) errors.push(`${path}: missing ${name}`)
      for (const [name, child] of Object.entries(object)) {
        if (properties[name]) check(properties[name]!, child, `${path}.${name}`)
        else if (s.additionalProperties === false) errors.push(`${path}: unexpected ${name}`)
      }
    }
  }
  check(schema, value, '$')
  return errors
}
