/** `selected` with `item` added (checked) or removed, in the order of `all` and without duplicates. */
export function toggleInOrder<T>(all: readonly T[], selected: readonly T[], item: T, checked: boolean): T[] {
  const set = new Set(selected);
  if (checked) set.add(item);
  else set.delete(item);
  return all.filter((candidate) => set.has(candidate));
}
