import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { meQueryKey } from '@/features/auth/api/get-me';
import { BillingPage } from '@/features/billing/components/billing-page';
import { parseCheckoutReturn, withoutCheckoutParams } from '@/features/billing/utils/checkout-return';
import { useLoadedConfig } from '@/features/config/api/get-config';

export function Component() {
  const config = useLoadedConfig();
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  // Stripe's return (`?checkout=success&session_id=…`) is read once: the page then owns what it says.
  const [checkoutReturn] = useState(() => parseCheckoutReturn(params));
  return (
    <BillingPage
      paymentsEnabled={config.features.billing}
      checkoutReturn={checkoutReturn}
      onClearCheckoutParams={() => setParams((current) => withoutCheckoutParams(current), { replace: true, preventScrollReset: true })}
      onCreditsChanged={() => void queryClient.invalidateQueries({ queryKey: meQueryKey })}
    />
  );
}
