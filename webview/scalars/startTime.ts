/** performance.now() when the bundle started to run: imported first, so it is evaluated first. */
export const scriptStart = performance.now();
