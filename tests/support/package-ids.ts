/** Package ids counting up from `after` + 1: each test gets packages no other test touched. */
export const packageIds = (after: number): (() => number) => {
  let last = after;
  return () => {
    last += 1;
    return last;
  };
};
