/**
 * The order bulk operations run in: the request's order, except that an
 * operation referencing a later POST's bulkId pulls that POST (and what it
 * references, first) in just before itself (RFC 7644 §3.7.2 lets a reference
 * point forward). Operations whose references loop back to themselves cannot
 * be ordered: RFC 7644 §3.7.1 lets the service provider answer 409 for them.
 * Pure: no I/O.
 */
export interface ExecutionPlan {
  /** Every operation index exactly once. */
  order: number[];
  /** Operations on a reference cycle. */
  circular: Set<number>;
}

/** `dependsOn[i]`: the operations whose results operation i needs. */
export function planExecution(dependsOn: readonly (readonly number[])[]): ExecutionPlan {
  const n = dependsOn.length;
  const state = new Uint8Array(n); // 0 unseen, 1 on the stack, 2 ordered
  const order: number[] = [];
  const circular = new Set<number>();
  // Depth-first, post-order, without recursion: a chain of 1,000 references cannot exhaust the stack.
  for (let start = 0; start < n; start++) {
    if (state[start] !== 0) continue;
    const stack: { node: number; next: number }[] = [{ node: start, next: 0 }];
    state[start] = 1;
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const deps = dependsOn[top.node]!;
      if (top.next < deps.length) {
        const dep = deps[top.next++]!;
        if (state[dep] === 0) {
          state[dep] = 1;
          stack.push({ node: dep, next: 0 });
        } else if (state[dep] === 1) {
          // A back edge: every operation from `dep` up to here is on the cycle.
          for (let k = stack.length - 1; k >= 0; k--) {
            circular.add(stack[k]!.node);
            if (stack[k]!.node === dep) break;
          }
        }
        continue;
      }
      state[top.node] = 2;
      order.push(top.node);
      stack.pop();
    }
  }
  return { order, circular };
}
