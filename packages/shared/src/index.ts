export * from './errors.ts';
export * from './config.ts';
export * from './health.ts';
export * from './me.ts';
export * from './auth.ts';
export * from './tokens.ts';
export * from './photos.ts';
export * from './models.ts';
