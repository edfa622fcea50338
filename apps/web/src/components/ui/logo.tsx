import { useId } from 'react';
import { cx } from './cx';

/** The Visiona mark. Decorative: pair it with the wordmark or a label. */
export function LogoMark({ size = 28 }: { size?: number }) {
  const gradientId = `visiona-logo-${useId().replace(/[^\w-]/g, '')}`;
  return (
    <svg viewBox="0 0 32 32" width={size} height={size} aria-hidden="true" focusable="false" className="logo__mark">
      <defs>
        <linearGradient id={gradientId} x1="0" y1="0" x2="1" y2="1">
          <stop offset="0" stopColor="#8b7bff" />
          <stop offset="1" stopColor="#4f3bdb" />
        </linearGradient>
      </defs>
      <rect width="32" height="32" rx="8" fill={`url(#${gradientId})`} />
      <path d="M8 10.5 16 23l8-12.5" fill="none" stroke="#fff" strokeWidth="3.2" strokeLinecap="round" strokeLinejoin="round" />
      <circle cx="16" cy="9" r="2.2" fill="#fff" />
    </svg>
  );
}

export function Logo({ size = 28, className }: { size?: number; className?: string }) {
  return (
    <span className={cx('logo', className)}>
      <LogoMark size={size} />
      <span className="logo__word">Visiona</span>
    </span>
  );
}
