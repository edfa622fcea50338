import { Icon } from '@/components/ui';
import { formatCredits } from '@/lib/format';

/** The header's credit balance, from /me. */
export function CreditBalance({ balance }: { balance: number }) {
  const text = formatCredits(balance);
  return (
    <p className="credit-balance" data-testid="credit-balance" title="Credits available to spend">
      <Icon name="coins" size={16} />
      <span>{text}</span>
    </p>
  );
}
