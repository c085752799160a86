// The entry esbuild bundles: Clover's Viewer on ?manifest= (a visitor picks a canvas in its media strip).
import { createElement } from "react";
import { createRoot } from "react-dom/client";
import Viewer from "@samvera/clover-iiif/viewer";

const manifest = new URLSearchParams(location.search).get("manifest");
createRoot(document.getElementById("clover")).render(createElement(Viewer, { iiifContent: manifest }));
