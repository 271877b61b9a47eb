/* Replaces the theme's Font Awesome script (1.5 MB), which redraws every icon as SVG.
   The theme's stylesheet already draws the same icons with Font Awesome's web fonts,
   served from the site itself, so the book's pages need no icon script. */
