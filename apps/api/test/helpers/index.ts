export * from './db.ts';
export * from './app.ts';
