/** The Main-Class of jobq's runnable jars: it checks the Java version before anything else loads. */
package dev.jobq.launcher;
