// anywidget's front end, loaded only by the pages of tools that use it.
import "anywidget";
