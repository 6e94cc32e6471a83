/** File operations of T.async and the confinement of their paths to the allowed roots. */
package io.trawl.async.files;
