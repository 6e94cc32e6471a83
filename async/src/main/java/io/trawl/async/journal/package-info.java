/**
 * The T.async journal: every job is appended to a Chronicle Queue under {@code STATE/journal} before any
 * worker sees it, so that a restart after a crash finishes exactly the jobs that had not finished.
 *
 * <pre>
 * STATE/journal/submit-&lt;p&gt;   written by pipeline p:  HEADER, SUBMIT (everything needed to run the job again:
 *                           paths, copybuffer bytes, the schedule's data, function prototypes and captured
 *                           upvalues), DELIVERED (the completion reached the script: onresult/onerror ran)
 * STATE/journal/effect-&lt;w&gt;   written by worker w:    HEADER, INTENT (the file offset an append is about to
 *                           write at), EFFECT (the job's effects are done; a schedule's result)
 * </pre>
 *
 * A job is finished when it is DELIVERED. Recovery ({@link io.trawl.async.journal.JournalRecovery}) re-runs
 * the others in their original order: an append with an INTENT is written again at that offset and the
 * file truncated after it (so it ends up written exactly once), a job with an EFFECT is not run again but
 * its result is delivered, the rest run as new. Single writer per queue; no locks.
 */
package io.trawl.async.journal;
