import "./styles.css";
import { start } from "./app.ts";

void start();
