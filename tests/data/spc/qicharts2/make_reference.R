# Compute the reference tables in reference/ with the R package qicharts2.
#
# Usage, from this folder:
#   Rscript make_reference.R
# With qicharts2 installed, the package is used. Otherwise set QICHARTS2_R to
# the R/ folder of a qicharts2 source tree and its files are sourced.
#
# Every case in cases.csv is run through qic(..., return.data = TRUE) with
# the option qic.screenedmr that qicharts2 sets when it is attached (TRUE),
# unless the case says otherwise. One CSV per case is written, one row per
# point, numbers with 15 significant digits.

src <- Sys.getenv("QICHARTS2_R")
if (nzchar(src)) {
  for (f in list.files(src, pattern = "[.]R$", full.names = TRUE)) source(f)
  desc <- file.path(src, "..", "DESCRIPTION")
  version <- if (file.exists(desc)) {
    paste("qicharts2", read.dcf(desc, fields = "Version")[1, 1], "(sourced)")
  } else {
    "qicharts2 (sourced, version unknown)"
  }
} else {
  library(qicharts2)
  version <- paste("qicharts2", utils::packageVersion("qicharts2"))
}

cases <- read.csv("cases.csv", stringsAsFactors = FALSE, na.strings = "")
positions <- function(s) {
  if (is.na(s) || !nzchar(s)) return(NULL)
  as.integer(strsplit(s, " ")[[1]])
}

columns <- c("x", "y", "n", "cl", "lcl", "ucl", "part", "baseline", "include",
             "sigma.signal", "runs.signal", "n.obs", "n.useful", "longest.run",
             "longest.run.max", "n.crossings", "n.crossings.min")

dir.create("reference", showWarnings = FALSE)
for (i in seq_len(nrow(cases))) {
  k <- cases[i, ]
  d <- read.csv(file.path("..", k$data), stringsAsFactors = FALSE)
  x <- d[[k$x]]
  if (is.character(x) && all(grepl("^[0-9]{4}-[0-9]{2}$", x)))
    x <- as.Date(paste0(x, "-01"))
  y <- d[[k$y]]
  n <- if (is.na(k$n)) NULL else d[[k$n]]
  options(qic.screenedmr = as.logical(k$screened_mr))
  r <- qic(x, y, n,
           chart = k$chart,
           freeze = if (is.na(k$freeze)) NULL else k$freeze,
           part = positions(as.character(k$part)),
           exclude = positions(as.character(k$exclude)),
           multiply = k$multiply,
           return.data = TRUE)
  if (inherits(r$x, "POSIXt")) r$x <- format(r$x, "%Y-%m-%d")
  out <- r[columns]
  num <- vapply(out, is.numeric, logical(1))
  out[num] <- lapply(out[num], function(v) ifelse(is.na(v), NA, sprintf("%.15g", v)))
  write.csv(out, file.path("reference", paste0(k$case, ".csv")),
            row.names = FALSE, na = "")
}
writeLines(c(version, R.version.string), file.path("reference", "VERSION"))
cat(nrow(cases), "cases written with", version, "\n")
