import { Children, cloneElement, isValidElement, type ReactElement, type ReactNode, type TableHTMLAttributes } from 'react'

/**
 * A table that is a table from tablet width up and a list of cards on a
 * phone, without JavaScript (decision 090). Each body cell is given its
 * column's heading as `data-label`, which the stylesheet shows before the
 * value once the table is stacked. Cells rendered inside a row component
 * cannot be reached from here: give those a `data-label` yourself.
 */
export function StackTable({ children, className, ...rest }: TableHTMLAttributes<HTMLTableElement> & { children: ReactNode }) {
  const parts = Children.toArray(children)
  const head = parts.find((part): part is ReactElement<{ children?: ReactNode }> => isValidElement(part) && part.type === 'thead')
  const labels = head ? headingLabels(head) : []
  return (
    <div className="table-wrap stack-wrap">
      <table className={['stack', className].filter(Boolean).join(' ')} {...rest}>
        {parts.map((part) => (isValidElement(part) && (part.type === 'tbody' || part.type === 'tfoot') ? labelSection(part as ReactElement<{ children?: ReactNode }>, labels) : part))}
      </table>
    </div>
  )
}

/** The text of each column of the heading's last row, spread over its colSpan. */
function headingLabels(head: ReactElement<{ children?: ReactNode }>): string[] {
  const rows = Children.toArray(head.props.children).filter(isValidElement) as ReactElement<{ children?: ReactNode }>[]
  const last = rows[rows.length - 1]
  if (!last) return []
  const labels: string[] = []
  for (const cell of Children.toArray(last.props.children)) {
    if (!isValidElement(cell)) continue
    const props = cell.props as { children?: ReactNode; colSpan?: number; 'data-label'?: string }
    const text = props['data-label'] ?? textOf(props.children)
    for (let i = 0; i < (props.colSpan ?? 1); i++) labels.push(text)
  }
  return labels
}

function labelSection(section: ReactElement<{ children?: ReactNode }>, labels: string[]): ReactElement {
  return cloneElement(
    section,
    undefined,
    Children.map(section.props.children, (row) => {
      if (!isValidElement(row) || row.type !== 'tr') return row
      let column = 0
      const rowProps = row.props as { children?: ReactNode }
      return cloneElement(
        row as ReactElement<{ children?: ReactNode }>,
        undefined,
        Children.map(rowProps.children, (cell) => {
          if (!isValidElement(cell) || (cell.type !== 'td' && cell.type !== 'th')) return cell
          const props = cell.props as { colSpan?: number; 'data-label'?: string }
          const label = labels[column]
          column += props.colSpan ?? 1
          if (props['data-label'] !== undefined || !label) return cell
          return cloneElement(cell as ReactElement<Record<string, unknown>>, { 'data-label': label })
        }),
      )
    }),
  )
}

export function textOf(node: ReactNode): string {
  if (node === null || node === undefined || typeof node === 'boolean') return ''
  if (typeof node === 'string' || typeof node === 'number') return String(node)
  if (Array.isArray(node)) return node.map(textOf).join('')
  if (isValidElement(node)) {
    const props = node.props as { children?: ReactNode; 'aria-hidden'?: unknown }
    return props['aria-hidden'] ? '' : textOf(props.children)
  }
  return ''
}
