export { Button, type ButtonProps, buttonClasses, Spinner } from "./button.tsx";
export { Badge, type BadgeTone, Banner, type BannerTone, Card, EmptyState } from "./card.tsx";
export { cn } from "./cn.ts";
export { ConfirmDialog, Dialog } from "./dialog.tsx";
export { Input, type InputProps, Select, type SelectOption, type SelectProps } from "./input.tsx";
export { type Column, Table } from "./table.tsx";
export { type TabItem, Tabs } from "./tabs.tsx";
