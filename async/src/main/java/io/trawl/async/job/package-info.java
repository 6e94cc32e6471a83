/** The unit of T.async work and its outcome. */
package io.trawl.async.job;
