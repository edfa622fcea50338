import { cx } from './cx';
import { Icon } from './icon';

export interface ChecklistProps {
  items: readonly string[];
  /** `do` ticks each item; `avoid` crosses it out in red. */
  tone?: 'do' | 'avoid';
  className?: string;
}

/** A list with a tick (or a cross) before each item. */
export function Checklist({ items, tone = 'do', className }: ChecklistProps) {
  return (
    <ul className={cx('checklist', tone === 'avoid' && 'checklist--avoid', className)}>
      {items.map((item) => (
        <li key={item}>
          <Icon name={tone === 'avoid' ? 'close' : 'check'} size={16} />
          <span>{item}</span>
        </li>
      ))}
    </ul>
  );
}
