package io.custos;

/**
 * Told after each step of an erase (1 keys destroyed, 2 rows removed,
 * 3 WAL truncated, 4 receipt signed; total is 4). Return false to stop:
 * the erase call then throws {@link CanceledException} and the next open
 * of the store finishes it; steps already done are never undone (once step
 * 1 is reported the data is unreadable). It runs on the calling thread with
 * the store's write lock held: it must not call Custos. Throwing stops the
 * erase like returning false.
 */
@FunctionalInterface
public interface EraseProgress {
    boolean onStep(int step, int total);
}
