/**
 * Static files (/static/*: stylesheet, scripts, fonts, icons) are the same for everyone and
 * change only with a deploy: a browser keeps them a day, then revalidates with the ETag (or
 * Last-Modified) it got, so a new deploy shows within a day and an unchanged file costs a 304.
 */
export const STATIC_CACHE_CONTROL = "public, max-age=86400, must-revalidate";
